/**
 * One room per user (PROTOCOL.md U21, apps without chrmMulti): after a join, the room joined last stays and every
 * other one is left. By the join times in the store (ties by room id), so joins of two rooms at once on two nodes
 * leave the user in exactly one, not in both or — each leaving the other's — in none; a refused join (full,
 * destroyed) leaves the user where she was. Called after the joined room's turn, never inside it: two users joining
 * each other's rooms would otherwise each hold one room's turn while waiting for the other's.
 */
import type { ChatroomRepository } from '../../store/chatroom-repository';

export async function keepNewestRoom(
  chatrooms: Pick<ChatroomRepository, 'roomsOf' | 'memberJoinTime'>,
  leave: (roomId: string) => Promise<unknown>,
  appKey: string,
  roomId: string,
  userId: string,
  joinTime: number,
): Promise<void> {
  const rooms = await chatrooms.roomsOf(appKey, userId);
  if (rooms.length <= 1) return;
  let newest = { roomId, joinTime };
  const times = new Map<string, number>();
  for (const other of rooms) {
    if (other === roomId) continue;
    const time = await chatrooms.memberJoinTime(appKey, other, userId);
    if (time === undefined) continue;
    times.set(other, time);
    if (time > newest.joinTime || (time === newest.joinTime && other > newest.roomId)) newest = { roomId: other, joinTime: time };
  }
  if (newest.roomId !== roomId) times.set(roomId, joinTime);
  for (const other of times.keys()) if (other !== newest.roomId) await leave(other);
}
